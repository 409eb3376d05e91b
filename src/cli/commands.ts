// The top-level command names, apart from their help (usage.ts): the launcher (launch.ts) needs
// only these, and loads this small module instead of every command's help text.

/** Top-level commands, in the order the overview lists them. */
export const TOP_COMMANDS = [
  'init',
  'info',
  'build',
  'lint',
  'explain',
  'migrate',
  'verify',
  'serve',
  'schema',
  'clauses',
  'users',
  'audit',
] as const;
