// A download from an authenticated route: fetched with the bearer, handed to the browser as a blob
// (a link cannot carry the Authorization header, and the token never goes in a URL).
import { authorizedFetch } from "./api";

export async function downloadCsv(path: string, filename: string): Promise<void> {
  const response = await authorizedFetch(path);
  if (!response.ok) throw new Error(`${response.status}`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
