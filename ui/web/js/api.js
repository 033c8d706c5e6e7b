// The node's HTTP API. Every failure is an ApiError with the stable code
// the node sent (or "network" when the node could not be reached), which
// screens translate.

export class ApiError extends Error {
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

export async function api(method, path, body) {
  const opt = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    opt.headers['Content-Type'] = 'application/json';
    opt.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch('/api/v1' + path, opt);
  } catch (e) {
    throw new ApiError('network', String(e), 0);
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    const err = new ApiError(e.code || 'http_' + res.status, e.message || res.statusText, res.status);
    // An ended session or a revoked device: the shell goes back to login.
    if (err.code === 'not_authorized' && path !== '/me') window.dispatchEvent(new CustomEvent('posnode:signed-out'));
    throw err;
  }
  return data;
}

export const get = (p) => api('GET', p);
export const post = (p, b) => api('POST', p, b ?? {});
export const put = (p, b) => api('PUT', p, b);
export const patch = (p, b) => api('PATCH', p, b);
export const del = (p) => api('DELETE', p);
