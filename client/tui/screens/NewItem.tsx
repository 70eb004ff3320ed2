/** A new item: the editor with empty fields, creating the item on save. */
import { ItemEditor } from './ItemEditor.js';

export function NewItem({ trackerId }: { trackerId: number }) {
  return <ItemEditor trackerId={trackerId} />;
}
