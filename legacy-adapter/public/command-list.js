// A list of commands in a <ul>, newest first, keyed by id: an update replaces one item in
// place, so the rest of the list (and what a person is reading in it) does not jump.
import { commandItem, isNewer } from './command-view.js';
import { show } from './view.js';

/**
 * `render(command)` returns the item's options for commandItem (who, actions…);
 * `empty` is the element shown while the list has nothing in it. With `more` (a button),
 * only the newest `shown` items are visible until the button is clicked.
 */
export function createCommandList(ul, empty, { limit = 50, render = () => ({}), more, shown = Infinity } = {}) {
  const commands = new Map();
  const items = new Map();
  // Which change last touched each command, so a list fetched before a change does not undo it.
  const touched = new Map();
  let changes = 0;
  let expanded = false;

  /** Older items fold away behind "Show N older", so a long history does not bury the newest. */
  function fold() {
    const all = [...ul.children];
    all.forEach((li, i) => (li.hidden = !expanded && i >= shown));
    if (!more) return;
    const hiddenCount = expanded ? 0 : Math.max(0, all.length - shown);
    more.textContent = `Show ${hiddenCount} older command${hiddenCount === 1 ? '' : 's'}`;
    show(more, hiddenCount > 0);
  }
  more?.addEventListener('click', () => {
    expanded = true;
    fold();
  });

  function place(command) {
    const item = commandItem(command, render(command));
    const old = items.get(command.id);
    items.set(command.id, item);
    if (old) {
      old.replaceWith(item);
      return item;
    }
    // Newest first: before the first item with a smaller id.
    const next = [...ul.children].find((li) => Number(li.dataset.commandId) < command.id);
    ul.insertBefore(item, next ?? null);
    return item;
  }

  function trim() {
    const ids = [...commands.keys()].sort((a, b) => b - a);
    for (const id of ids.slice(limit)) remove(id);
  }

  function remove(id) {
    commands.delete(id);
    touched.delete(id);
    items.get(id)?.remove();
    items.delete(id);
    show(empty, commands.size === 0);
    fold();
  }

  return {
    /** Adds or updates a command; returns its item when it changed, else undefined. */
    upsert(command) {
      if (!isNewer(command, commands.get(command.id))) return undefined;
      commands.set(command.id, command);
      touched.set(command.id, ++changes);
      const item = place(command);
      trim();
      show(empty, commands.size === 0);
      fold();
      return item;
    },
    /** Call before fetching a list; pass the mark to replaceAll. */
    mark: () => changes,
    /**
     * The server's list, fetched after `mark`: commands missing from it go, unless something
     * newer arrived while it was on its way; the rest are merged (the further along wins).
     */
    replaceAll(list, mark = changes) {
      const keep = new Set(list.map((c) => c.id));
      for (const id of [...commands.keys()]) if (!keep.has(id) && (touched.get(id) ?? 0) <= mark) remove(id);
      for (const command of list) this.upsert(command);
      show(empty, commands.size === 0);
    },
    remove,
    get: (id) => commands.get(id),
    ids: () => [...commands.keys()],
    /** Re-renders every item (e.g. once user names are known). */
    refresh() {
      for (const command of commands.values()) place(command);
      fold();
    },
    clear() {
      for (const id of [...commands.keys()]) remove(id);
      expanded = false;
      fold();
    },
  };
}
