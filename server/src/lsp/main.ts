// Placeholder: the LSP adapter lands next.
export {};
