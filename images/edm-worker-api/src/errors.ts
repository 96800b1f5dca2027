/** An error the API answers with its own HTTP status and message, instead of a 500. */
export class HttpError extends Error {
    constructor(public readonly status: number, message: string) {
        super(message);
    }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const notFound = (message: string) => new HttpError(404, message);
export const conflict = (message: string) => new HttpError(409, message);
/** Something this worker depends on (gogs, docker, consul) failed: the caller's request was fine. */
export const upstreamFailed = (message: string) => new HttpError(502, message);
