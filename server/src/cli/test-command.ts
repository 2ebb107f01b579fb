// Placeholder until the endpoint tester lands.
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('nginx-ws: not implemented yet\n');
  return 2;
}
