import { vi } from 'vitest';

/** Runs `run` and returns what it wrote to standard output (nothing reaches the terminal). */
export async function captureStdout(run: () => Promise<void>): Promise<string> {
  let text = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    text += String(chunk);
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return text;
}
