/**
 * Reload on change for `npm start`: watches what the packaged template is made of
 * (`serverless.ts`, `resources/`, `vtl/`, `.env` and `.env.<stage>`, or the `--template` file)
 * and reloads the running stage once per burst of file events. Editors save in several steps
 * (write, rename, chmod), so events are debounced; a change made while a reload runs starts one
 * more reload after it, never a second one at the same time.
 */
import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

export interface WatchTargets {
  /** Watched with everything below them. */
  dirs: string[];
  /** Single files, watched through their directory (editors replace files by renaming). */
  files: string[];
}

/** What `npm start` reloads on: the service's sources, or the `--template` file alone. */
export function watchTargets(root: string, stage: string, template?: string): WatchTargets {
  if (template) return { dirs: [], files: [path.resolve(template)] };
  return {
    dirs: [path.join(root, 'resources'), path.join(root, 'vtl')],
    files: ['serverless.ts', '.env', `.env.${stage}`].map((name) => path.join(root, name)),
  };
}

export interface Watching {
  close(): void;
}

/**
 * Calls `onChange(changedPaths)` after `debounceMs` without further events; `onChange` runs
 * alone (a later burst waits for it). Editor swap and backup files are ignored.
 */
export function watchForChanges(
  targets: WatchTargets,
  onChange: (changed: string[]) => Promise<void>,
  debounceMs = 150,
): Watching {
  const watchers: FSWatcher[] = [];
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const fire = () => {
    timer = undefined;
    if (running) return; // picked up when the running reload ends
    const changed = [...pending];
    pending.clear();
    running = onChange(changed)
      .catch(() => undefined)
      .finally(() => {
        running = undefined;
        if (pending.size > 0 && !timer) timer = setTimeout(fire, debounceMs);
      });
  };
  const touched = (file: string) => {
    if (isEditorScratch(file)) return;
    pending.add(file);
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, debounceMs);
  };

  // Every directory is watched on its own, not with `{ recursive: true }`: Node 20's recursive
  // watcher on Linux watches each file's inode, so after an editor's atomic save (write a new
  // file, rename it over the old one) it never reports that file again. A directory's own
  // watch reports every entry written, created or renamed into it.
  const watchedDirs = new Set<string>();
  /** `isNew`: a directory created after the start, whose files may predate its watcher. */
  const watchTree = (dir: string, isNew = false) => {
    if (watchedDirs.has(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (_event, name) => {
        if (!name) return;
        const file = path.join(dir, name.toString());
        if (isDirectory(file)) watchTree(file, true);
        else touched(file);
      });
    } catch {
      return; // gone already, or not a directory
    }
    watcher.on('error', () => undefined);
    watchedDirs.add(dir);
    watchers.push(watcher);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) watchTree(path.join(dir, entry.name), isNew);
      else if (isNew) touched(path.join(dir, entry.name));
    }
  };
  for (const dir of targets.dirs) watchTree(dir);
  const filesByDir = new Map<string, Set<string>>();
  for (const file of targets.files) {
    const dir = path.dirname(file);
    if (!filesByDir.has(dir)) filesByDir.set(dir, new Set());
    filesByDir.get(dir)!.add(path.basename(file));
  }
  for (const [dir, names] of filesByDir) {
    watchers.push(
      watch(dir, (_event, name) => {
        if (name && names.has(name.toString())) touched(path.join(dir, name.toString()));
      }),
    );
  }
  for (const watcher of watchers) watcher.on('error', () => undefined);
  return {
    close() {
      if (timer) clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** vim's `.swp`/`~` and `4913` probe, emacs' `#…#`/`.#…`, JetBrains' `___jb_`. */
function isEditorScratch(file: string): boolean {
  const name = path.basename(file);
  return (
    /\.(sw[a-p]|tmp|bak)$|~$|^4913$|^\.?#|___jb_/.test(name) ||
    (name.startsWith('.') && !name.startsWith('.env'))
  );
}
