/** The samples folder (test/fixtures/samples), absolute. */
export declare const SAMPLES: string;
/** Wall clock of the sample captures, epoch ms (captured-at.txt). */
export declare const SAMPLE_EPOCH_MS: number;
/** The raw bytes of one sample file. */
export declare function sampleBytes(name: string): Buffer;
/** A fresh, mutable copy of a sample JSON document. */
export declare function sampleDoc(name: string): any;
