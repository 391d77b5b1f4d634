// The one function of the jsonld package the tests call (it ships no types).
declare module 'jsonld' {
  const jsonld: { expand(input: unknown): Promise<unknown[]> };
  export default jsonld;
}
