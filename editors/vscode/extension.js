// Starts `artel lsp --stdio` for Artel charters (VS Code's language client).
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate() {
  const command = vscode.workspace.getConfiguration("artel").get("path", "artel");
  client = new LanguageClient("artel", "Artel", { command, args: ["lsp", "--stdio"] },
    { documentSelector: [{ scheme: "file", language: "artel" }] });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
