// One format for "everything wrong with the input" errors, across components and the program: a
// summary line, then one indented "- " line per problem (each names the field and the fix).
// Programs that collect several components' problems (program/wiring.ts) read them back by it.

/** `summary` followed by one `  - <problem>` line per problem. */
export function formatProblems(summary: string, problems: readonly string[]): string {
  return `${summary}\n${problems.map((p) => `  - ${p}`).join("\n")}`;
}

/** The problem lines of a message built by {@link formatProblems} (the summary dropped). */
export function problemsOf(message: string): string[] {
  return message
    .split("\n")
    .slice(1)
    .map((line) => line.replace(/^\s*- /, "").trim())
    .filter((line) => line !== "");
}
