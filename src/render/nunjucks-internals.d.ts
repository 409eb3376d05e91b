export {};

// Types for the parts of nunjucks' public exports (parser, nodes, compiler) that @types/nunjucks omits.
declare module 'nunjucks' {
  export namespace nodes {
    class Node {
      lineno: number;
      colno: number;
      fields: string[];
      typename: string;
      [field: string]: unknown;
    }
    class NodeList extends Node {
      constructor(lineno: number, colno: number, children: Node[]);
      children: Node[];
    }
    class Root extends NodeList {}
    class Output extends NodeList {}
    class TemplateData extends Node {
      value: string;
    }
    class Literal extends Node {
      constructor(lineno: number, colno: number, value: unknown);
      value: unknown;
    }
    class Symbol extends Node {
      constructor(lineno: number, colno: number, value: string);
      value: string;
    }
    class LookupVal extends Node {
      constructor(lineno: number, colno: number, target: Node, val: Node);
      target: Node;
      val: Node;
    }
    class FunCall extends Node {
      constructor(lineno: number, colno: number, name: Node, args: NodeList);
      name: Node;
      args: NodeList;
    }
    class Filter extends FunCall {}
    class For extends Node {
      arr: Node;
      name: Node;
      body: Node;
      else_: Node;
    }
  }
  export const parser: { parse(src: string, extensions?: unknown[], opts?: object): nodes.Root };
  export const compiler: {
    Compiler: new (
      name: string,
      throwOnUndefined: boolean,
    ) => { compile(ast: nodes.Node): void; getCode(): string };
  };
}
