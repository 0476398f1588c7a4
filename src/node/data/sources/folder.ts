// Folder sources: `folder:PATH`, a folder of class sub-folders named after the classes, split
// once by hcr. They are not in the registry: any folder can be one, so the plan asks here.

import { basename } from 'node:path';
import { HcrError } from '../../../core/errors.js';
import { mapLabelSet, sourceLabelSet } from '../../../core/label-sets.js';
import type { LabelSet } from '../../../core/label-sets.js';
import { listImageFolder, loadImageFolder } from '../folder.js';
import { splitOnce, type PlanProgress, type SourceParts } from './common.js';

/** Prefix of a source that is a folder of class sub-folders: `folder:PATH`. */
export const FOLDER_SOURCE_PREFIX = 'folder:';
/** Seed of the one-time split of a folder source into train, validation and test. */
export const FOLDER_SPLIT_SEED = 20243;

/** True when `name` names a folder source (`folder:PATH`) rather than one of the registry. */
export function isFolderSource(name: string): boolean {
  return name.startsWith(FOLDER_SOURCE_PREFIX);
}

/** The test set name of folder source `name`: `folder-<last path segment>-test`. */
export function folderTestName(name: string): string {
  return `folder-${basename(name.slice(FOLDER_SOURCE_PREFIX.length))}-test`;
}

/**
 * A folder of images per class, split once (stratified, fixed seed). Only the class folders that
 * map into the label set are decoded; the others and any files at the root are reported (a
 * `warning` event and `notRead`), and a folder none of whose class folders maps is an error.
 */
export async function loadFolderSource(
  name: string,
  labelSet: LabelSet,
  foldCase: boolean,
  onProgress: ((progress: PlanProgress) => void) | undefined,
): Promise<SourceParts> {
  const root = name.slice(FOLDER_SOURCE_PREFIX.length);
  const { classFolders, rootFiles } = await listImageFolder(root);
  const map = mapLabelSet(sourceLabelSet(name, [...classFolders]), labelSet, { foldCase });
  const outside = classFolders.filter((_, i) => map[i]! < 0);
  if (outside.length === classFolders.length) {
    throw new HcrError(
      'BAD_DATA',
      `${root}: no class folder is a class of label set ${labelSet.name}: expected folders named ${labelSet.classes.join(', ')}, found ${classFolders.join(', ')}`,
    );
  }
  // Say when folding case would have taken a folder in (e.g. `a/` under alnum36).
  const folded = foldCase
    ? []
    : outside.filter(
        (folder) =>
          mapLabelSet(sourceLabelSet(name, [folder]), labelSet, { foldCase: true })[0]! >= 0,
      );
  const skipped = [
    ...(outside.length > 0
      ? [
          `class folder(s) ${outside.join(', ')} (not classes of label set ${labelSet.name}${folded.length > 0 ? `; ${folded.join(', ')} would map with foldCase` : ''})`,
        ]
      : []),
    ...(rootFiles.length > 0
      ? [`file(s) at its root ${rootFiles.join(', ')} (only class folders are read)`]
      : []),
  ];
  if (skipped.length > 0) {
    onProgress?.({
      phase: 'warning',
      source: name,
      message: `${root}: left out ${skipped.join(' and ')}`,
    });
  }
  const dataset = await loadImageFolder(root, {
    name: `folder-${basename(root)}`,
    include: (folder) => !outside.includes(folder),
  });
  const parts = splitOnce(dataset, FOLDER_SPLIT_SEED, dataset.files, root);
  return skipped.length > 0
    ? { ...parts, notRead: { folders: outside, files: [...rootFiles] } }
    : parts;
}
