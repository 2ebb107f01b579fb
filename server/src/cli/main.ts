// Placeholder: the CLI lands next.
export {};
