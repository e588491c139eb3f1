/**
 * The Workspace Trust gate in front of everything that runs the workspace's
 * code. Opening a trace file does not pass through here: it runs nothing.
 */
import * as vscode from 'vscode';

/** Stable error name for a refused run (commands reject with it; tests assert on it). */
export const UNTRUSTED_WORKSPACE = 'UntrustedWorkspace';

export class UntrustedWorkspaceError extends Error {
  override readonly name = UNTRUSTED_WORKSPACE;
  constructor() {
    super('PoolScope runs code only in trusted workspaces.');
  }
}

/** Answers "may this window run the workspace's code?". Replaceable so tests can exercise the refusal. */
export type TrustCheck = () => boolean;

export class TrustGate {
  #check: TrustCheck = () => vscode.workspace.isTrusted;

  /** Replaces the trust check; `undefined` restores the real `workspace.isTrusted`. */
  setCheck(check: TrustCheck | undefined): void {
    this.#check = check ?? (() => vscode.workspace.isTrusted);
  }

  get trusted(): boolean {
    return this.#check();
  }

  /** Fires when trust is granted (VS Code never revokes it within a window). */
  readonly onDidChange = vscode.workspace.onDidGrantWorkspaceTrust;

  /**
   * Throws `UntrustedWorkspaceError` when running is not allowed, after
   * offering the user the way to change that (not awaited: the command
   * must settle now, not when the notification is dismissed).
   */
  assertTrusted(): void {
    if (this.trusted) return;
    const manage = 'Manage Workspace Trust';
    void vscode.window
      .showWarningMessage('PoolScope runs your code, so it is disabled in an untrusted workspace. Opening a trace still works.', manage)
      .then((choice) => {
        if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
      });
    throw new UntrustedWorkspaceError();
  }
}
