// Test accounts in a server's users.yaml (test/auth-server.test.ts, test/password-change.test.ts):
// hashed at a low scrypt cost passed explicitly, so the CLI's and the server's defaults stay
// untouched.
import { hashPassword } from '../src/auth/passwords.js';
import { updateUsers, type Role } from '../src/auth/users.js';

export const TEST_COST = { ln: 10, r: 8, p: 1 };

/**
 * Adds `names` to the users.yaml in `dataDir`, each with its password from `passwords` and its
 * role from `roles`, created and last changed at `at`.
 */
export async function addAccounts(
  dataDir: string,
  names: readonly string[],
  {
    passwords,
    roles,
    at = new Date(),
  }: {
    passwords: Readonly<Record<string, string>>;
    roles: Readonly<Record<string, Role>>;
    at?: Date;
  },
): Promise<void> {
  const t = at.toISOString();
  const hashes = await Promise.all(
    names.map((n) => hashPassword(passwords[n]!, { cost: TEST_COST })),
  );
  await updateUsers(dataDir, (f) => {
    names.forEach((n, i) =>
      f.users.push({
        name: n,
        displayName: `${n}（测试）`,
        role: roles[n]!,
        password: hashes[i]!,
        created: t,
        passwordChanged: t,
      }),
    );
    return { file: f, result: true };
  });
}
