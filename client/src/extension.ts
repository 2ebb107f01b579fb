// Placeholder: the language client lands with the LSP adapter.
export function activate(): void {}
export function deactivate(): void {}
