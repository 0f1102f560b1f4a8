import { html, nothing, type PropertyValues } from 'lit';
import { ApiProblem } from '../core/api-client.ts';
import type { Case, CaseFile, Me } from '../core/types.ts';
import { uploadForm } from '../core/upload.ts';
import { describeProblem, fill, type ShownProblem } from '../i18n/problems.ts';
import { ConsoleElement } from './element.ts';
import { load, type Loaded } from './loader.ts';
import { problemBox } from './problem-box.ts';

// Evidence files (docs/design.md §10): a gallery with thumbnails, open and download, and for
// those who may attach, an upload by drag and drop or a file picker, with its progress.

const FILE_KINDS = ['screenshot', 'video', 'archive', 'document', 'decision', 'other'] as const;

// Types the browser shows safely itself; anything else (a saved web page above all) is
// opened as plain text, so that no uploaded page ever runs in the console's origin.
const VIEWABLE = /^(image\/(png|jpeg|webp|gif)|video\/(mp4|webm|quicktime)|application\/pdf)$/u;

/** Whether the console offers the upload: the worker decides, this avoids a certain refusal. */
function mayUpload(c: Case, me: Me, now = Date.now()): boolean {
  if (c.stage === 'closed') return false;
  if (me.roles.includes('supervisor')) return true;
  if (me.roles.includes('clerk') && c.submittedBy === me.id) return true;
  const liveClaim = c.claimedUntil !== undefined && Date.parse(c.claimedUntil) > now;
  return me.roles.includes('verifier') && c.claimedBy === me.id && liveClaim;
}

/** A thumbnail fetched with the user's token and shown from an object URL. */
export class FileThumbnail extends ConsoleElement {
  static override properties = { caseId: {}, fileId: {}, label: {} };
  declare caseId: string;
  declare fileId: string;
  declare label: string;
  private url: string | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('caseId') || changed.has('fileId')) void this.reload();
  }

  private async reload(): Promise<void> {
    try {
      const blob = await this.ctx.client.blob(`/v1/cases/${this.caseId}/files/${this.fileId}/thumbnail`);
      this.release();
      this.url = URL.createObjectURL(blob);
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      this.url = null;
    }
    this.requestUpdate();
  }

  private release(): void {
    if (this.url !== null) URL.revokeObjectURL(this.url);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.release();
  }

  override render() {
    return this.url === null
      ? nothing
      : html`<img class="thumbnail" src=${this.url} alt=${this.label} data-file=${this.fileId}>`;
  }
}
customElements.define('ct-file-thumbnail', FileThumbnail);

/** The files of a case; `version` reloads them when the case changes. */
export class CaseFiles extends ConsoleElement {
  static override properties = { kase: { attribute: false }, version: { type: Number } };
  declare kase: Case;
  declare version: number;
  private files: Loaded<CaseFile[]> = { state: 'loading' };
  private chosen: File | null = null;
  private progress: number | null = null;
  private problem: ShownProblem | null = null;
  private dragging = false;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('kase') || changed.has('version')) void this.reload();
  }

  private async reload(): Promise<void> {
    this.files = await load(
      async () => (await this.ctx.client.get<{ items: CaseFile[] }>(`/v1/cases/${this.kase.id}/files`)).items,
    );
    this.requestUpdate();
  }

  private nameOf(file: CaseFile): string {
    return file.name ?? fill(this.ctx.t.files.unnamed, { id: file.id.slice(0, 8) });
  }

  private choose(files: FileList | null | undefined): void {
    this.chosen = files?.[0] ?? null;
    this.problem = null;
    this.requestUpdate();
  }

  private drop(event: DragEvent): void {
    event.preventDefault();
    this.dragging = false;
    this.choose(event.dataTransfer?.files);
  }

  private async upload(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const file = this.chosen;
    if (file === null) return;
    const fields = new FormData(event.target as HTMLFormElement);
    const form = new FormData();
    const kind = fields.get('kind');
    const description = String(fields.get('description') ?? '').trim();
    // Fields first: the server reads them before the file's bytes.
    if (typeof kind === 'string' && kind !== '') form.append('kind', kind);
    if (description !== '') form.append('description', description);
    form.append('file', file, file.name);
    this.progress = 0;
    this.problem = null;
    this.requestUpdate();
    try {
      const answer = await uploadForm(
        this.ctx.client,
        `/v1/cases/${this.kase.id}/files?wait=true`,
        form,
        (fraction) => {
          this.progress = fraction;
          this.requestUpdate();
        },
      );
      this.ctx.announce(fill(this.ctx.t.files.uploaded, { name: file.name }));
      this.chosen = null;
      (event.target as HTMLFormElement).reset();
      if (answer.status === 200) {
        this.dispatchEvent(new CustomEvent('applied', { detail: answer.body as Case, bubbles: true }));
      } else {
        this.dispatchEvent(new CustomEvent('stale', { bubbles: true }));
      }
      await this.reload();
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      this.problem = describeProblem(error, this.ctx.t, this.ctx.f);
    } finally {
      this.progress = null;
      this.requestUpdate();
    }
  }

  private async fetchFile(file: CaseFile): Promise<Blob | null> {
    try {
      return await this.ctx.client.blob(`/v1/cases/${this.kase.id}/files/${file.id}`);
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      this.problem = describeProblem(error, this.ctx.t, this.ctx.f);
      this.requestUpdate();
      return null;
    }
  }

  private async open(file: CaseFile): Promise<void> {
    const blob = await this.fetchFile(file);
    if (blob === null) return;
    const type = VIEWABLE.test(file.mediaType) ? file.mediaType : 'text/plain;charset=utf-8';
    const url = URL.createObjectURL(new Blob([blob], { type }));
    window.open(url, '_blank', 'noopener');
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  private async download(file: CaseFile): Promise<void> {
    const blob = await this.fetchFile(file);
    if (blob === null) return;
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    // The browser cleans the name up; path separators never reach the file system.
    link.download = this.nameOf(file).replace(/[\\/]/gu, '_');
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  private item(file: CaseFile) {
    const { t, f } = this.ctx;
    const name = this.nameOf(file);
    const erased = file.erasedAt !== null;
    return html`<li class="file ${erased ? 'file--erased' : ''}" data-file=${file.id}>
      ${
        file.thumbnail
          ? html`<ct-file-thumbnail .ctx=${this.ctx} .caseId=${this.kase.id} .fileId=${file.id}
              .label=${fill(t.files.thumbnailOf, { name })}></ct-file-thumbnail>`
          : html`<span class="file-type" aria-hidden="true">${file.mediaType.split('/')[1] ?? ''}</span>`
      }
      <div class="file-info">
        <strong class="file-name">${name}</strong>
        <span class="muted">${t.fileKind[file.kind]} · ${f.bytes(file.size)} · ${fill(t.files.attached, { when: f.dateTime(file.attachedAt) })}</span>
        ${file.description === undefined ? nothing : html`<span>${file.description}</span>`}
        <code class="hash" title="SHA-256">${file.sha256.slice(0, 16)}…</code>
      </div>
      ${
        erased
          ? html`<span class="badge">${t.files.erased}</span>`
          : html`<div class="file-actions">
          <button class="button button--secondary" type="button" @click=${() => this.open(file)}>${t.files.open}<span class="visually-hidden"> ${name}</span></button>
          <button class="button button--secondary" type="button" @click=${() => this.download(file)}>${t.files.download}<span class="visually-hidden"> ${name}</span></button>
        </div>`
      }
    </li>`;
  }

  private uploader() {
    const { t } = this.ctx;
    const busy = this.progress !== null;
    const percent = Math.round((this.progress ?? 0) * 100);
    return html`<form class="upload" aria-label=${t.files.upload} @submit=${(e: SubmitEvent) => this.upload(e)}>
      <div class="dropzone ${this.dragging ? 'dropzone--over' : ''}"
        @dragover=${(e: DragEvent) => {
          e.preventDefault();
          if (!this.dragging) {
            this.dragging = true;
            this.requestUpdate();
          }
        }}
        @dragleave=${() => {
          this.dragging = false;
          this.requestUpdate();
        }}
        @drop=${(e: DragEvent) => this.drop(e)}>
        <p>${t.files.drop}</p>
        <label class="button button--secondary" for="file-input">${t.files.choose}</label>
        <input id="file-input" class="visually-hidden" type="file" name="file" aria-describedby="file-types"
          @change=${(e: Event) => this.choose((e.target as HTMLInputElement).files)}>
        ${this.chosen === null ? nothing : html`<p class="chosen" data-chosen>${this.chosen.name}</p>`}
        <p class="field-hint" id="file-types">${t.files.types}</p>
      </div>
      <div class="field"><label for="file-kind">${t.files.kind}</label>
        <select id="file-kind" name="kind"><option value="">${t.files.kindAuto}</option>
          ${FILE_KINDS.map((kind) => html`<option value=${kind}>${t.fileKind[kind]}</option>`)}</select></div>
      <div class="field"><label for="file-description">${t.files.description}</label>
        <input id="file-description" name="description" maxlength="2000"></div>
      ${
        busy
          ? html`<p role="status"><label for="upload-progress">${fill(t.files.uploading, { name: this.chosen?.name ?? '', percent: String(percent) })}</label>
          <progress id="upload-progress" max="100" .value=${percent} aria-label=${t.files.progress}></progress></p>`
          : nothing
      }
      <p class="form-actions"><button class="button" type="submit" ?disabled=${this.chosen === null || busy}>${t.files.upload}</button></p>
    </form>`;
  }

  override render() {
    const { t, f, me } = this.ctx;
    const files = this.files;
    return html`<section class="card files" aria-labelledby="files-title">
      <h2 id="files-title">${t.files.title}</h2>
      ${this.problem === null ? nothing : problemBox(this.problem, t)}
      ${files.state === 'loading' ? html`<p class="loading">${t.app.loading}</p>` : nothing}
      ${files.state === 'failed' ? problemBox(describeProblem(files.problem, t, f), t) : nothing}
      ${
        files.state === 'ready'
          ? files.value.length === 0
            ? html`<p class="muted">${t.files.none}</p>`
            : html`<p class="muted">${fill(t.files.count, { n: f.number(files.value.length) })}</p>
              <ul class="gallery">${files.value.map((file) => this.item(file))}</ul>`
          : nothing
      }
      ${mayUpload(this.kase, me) ? this.uploader() : nothing}
    </section>`;
  }
}
customElements.define('ct-case-files', CaseFiles);
