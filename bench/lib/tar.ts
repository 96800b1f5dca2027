/** One file for `docker cp -`: its path inside the container, content and mode. */
export interface TarFile {
    path: string;
    content: string;
    mode?: number;
}

function octal(value: number, width: number): string {
    return value.toString(8).padStart(width - 1, "0") + "\0";
}

/**
 * A ustar archive holding only the given files, no directory entries, so `docker cp - c:/`
 * creates missing parents and leaves existing folders' owners and modes alone.
 */
export function ustarArchive(files: readonly TarFile[]): Buffer {
    const blocks: Buffer[] = [];
    for (const file of files) {
        const relative = file.path.replace(/^\/+/, "");
        const body = Buffer.from(file.content, "utf8");
        const header = Buffer.alloc(512, 0);
        let name = relative;
        let prefix = "";
        if (Buffer.byteLength(name) > 100) {
            const cut = relative.lastIndexOf("/", 155);
            prefix = relative.slice(0, cut);
            name = relative.slice(cut + 1);
        }
        if (Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) {
            throw new Error(`path too long for a tar header: ${file.path}`);
        }
        header.write(name, 0, 100, "utf8");
        header.write(octal(file.mode ?? 0o644, 8), 100, 8, "ascii");
        header.write(octal(0, 8), 108, 8, "ascii");
        header.write(octal(0, 8), 116, 8, "ascii");
        header.write(octal(body.length, 12), 124, 12, "ascii");
        header.write(octal(0, 12), 136, 12, "ascii");
        header.write("        ", 148, 8, "ascii");
        header.write("0", 156, 1, "ascii");
        header.write("ustar\0", 257, 6, "ascii");
        header.write("00", 263, 2, "ascii");
        header.write(prefix, 345, 155, "utf8");
        let sum = 0;
        for (const byte of header) {
            sum += byte;
        }
        header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "ascii");
        blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512, 0));
    }
    blocks.push(Buffer.alloc(1024, 0));
    return Buffer.concat(blocks);
}
