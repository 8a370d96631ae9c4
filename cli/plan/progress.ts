/**
 * The plan's progress line on stderr: one line rewritten in place ("planning prod: running
 * the program (2.1 s)"), only on a terminal unless asked, and erased when the plan ends so
 * stdout (the report) and pipes stay clean.
 */
export interface Progress {
  readonly phase: (what: string) => void;
  readonly done: () => void;
}

export function progressLine(
  mode: "auto" | "always" | "never",
  title: string,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  const on = mode === "always" || (mode === "auto" && stream.isTTY === true);
  if (!on) return { phase: () => undefined, done: () => undefined };
  const started = Date.now();
  let current = "starting";
  let width = 0;
  const draw = () => {
    const text = `${title}: ${current} (${((Date.now() - started) / 1000).toFixed(1)} s)`;
    stream.write(`\r${text.padEnd(width)}`);
    width = text.length;
  };
  // A timer keeps the elapsed time moving while one phase runs; unref so it never holds the process.
  const timer = setInterval(draw, 250);
  timer.unref();
  draw();
  return {
    phase: (what) => {
      current = what;
      draw();
    },
    done: () => {
      clearInterval(timer);
      stream.write(`\r${" ".repeat(width)}\r`);
    },
  };
}
