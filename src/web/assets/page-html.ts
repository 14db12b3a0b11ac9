/** The relay page's HTML shell: no inline script or style (the CSP forbids them), only the two own assets. */

function attr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The page; `token` (already verified) is carried to the asset URLs (icon included: browsers ask for it) so they pass the same check. */
export function renderPageHtml(token: string | null, entry: string): string {
  const q = token === null ? '' : `?token=${encodeURIComponent(token)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>uwsgitop-ts relay</title>
<link rel="icon" href="${attr('/favicon.ico' + q)}">
<link rel="stylesheet" href="${attr('/app.css' + q)}">
<script type="module" src="${attr(entry)}"></script>
</head>
<body>
<header class="top">
  <h1>uwsgitop<span class="dim">-ts</span></h1>
  <nav id="nav" aria-label="targets"></nav>
  <div class="top-right"><span id="conn" class="conn conn-connecting">connecting</span><span id="status" class="dim"></span><span id="notice" class="notice" role="status" hidden></span></div>
</header>
<div id="announce" class="sr-only" role="status" aria-live="polite" aria-atomic="true"></div>
<main id="targets"><p class="empty" id="empty">Waiting for the relay&hellip;</p></main>
<noscript><p class="empty">This page needs JavaScript (served from this relay only).</p></noscript>
</body>
</html>
`;
}
