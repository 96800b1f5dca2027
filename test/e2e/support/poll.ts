/** A pause between two looks at the outside world, in tests only: components never sleep. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Bounded poll of a condition, for the outside world changing after an action or a fault. */
export async function eventually(what: string, seconds: number, check: () => boolean | Promise<boolean>): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    while (!(await check())) {
        if (Date.now() > deadline) {
            throw new Error(`${what}: not within ${seconds}s`);
        }
        await sleep(500);
    }
}
