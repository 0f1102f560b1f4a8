import { ApiProblem, type ApiClient, type ApiResponse } from './api-client.ts';

/**
 * POSTs a multipart form (a file upload) with XMLHttpRequest, whose upload events report
 * progress (fetch has none for a request body); onProgress gets a fraction from 0 to 1.
 * Answers below 400 are returned; problems are thrown as ApiProblem.
 */
export function uploadForm(
  client: ApiClient,
  path: string,
  form: FormData,
  onProgress: (fraction: number) => void,
): Promise<ApiResponse> {
  return new Promise<ApiResponse>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    for (const [name, value] of Object.entries(client.authorization())) xhr.setRequestHeader(name, value);
    xhr.setRequestHeader('accept', 'application/json, application/problem+json');
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('error', () => reject(new ApiProblem(0, 'network', 'the upload did not reach the server')));
    xhr.addEventListener('load', () => {
      const headers = new Headers({ 'content-type': xhr.getResponseHeader('content-type') ?? '' });
      if (xhr.status >= 400) {
        client.problemOf(new Response(xhr.responseText, { status: xhr.status, headers })).then(reject, reject);
        return;
      }
      onProgress(1);
      resolve({
        status: xhr.status,
        body: xhr.responseText === '' ? null : (JSON.parse(xhr.responseText) as unknown),
        headers,
      });
    });
    xhr.send(form);
  });
}
