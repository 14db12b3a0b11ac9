/** Fails the whole run early, with the fix, when the real parts the tests need are missing. */
import { existsSync } from 'node:fs';

export default function setup(): void {
  if (!existsSync('/usr/bin/uwsgi')) {
    throw new Error('uWSGI is not installed: run scripts/setup.sh (installs Debian uwsgi-core and uwsgi-plugin-python3)');
  }
  if (!existsSync('/usr/lib/uwsgi/plugins/python3_plugin.so')) {
    throw new Error('the uWSGI python3 plugin is missing: run scripts/setup.sh (installs uwsgi-plugin-python3)');
  }
}
