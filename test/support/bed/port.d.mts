/** A free TCP port on 127.0.0.1 below the kernel's ephemeral range (see port.mjs). */
export declare function freePort(): Promise<number>;
