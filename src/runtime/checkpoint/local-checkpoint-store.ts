/**
 * The default {@link CheckpointStore}: one directory per checkpoint under a root directory (a
 * {@link BlobCheckpointStore} on a {@link LocalBlobStore}, whose writes are atomic and durable:
 * temporary file, fsync, rename, fsync of the directory). The checksums in `_metadata` catch the
 * rest: a disk that lied, a truncated copy, a hand-edited file.
 *
 * @module
 */
import { LocalBlobStore } from '../../storage/local-blob-store.ts';
import { BlobCheckpointStore } from './blob-checkpoint-store.ts';

/** Checkpoints in the local directory `root`. */
export class LocalCheckpointStore extends BlobCheckpointStore {
  constructor(root: string) {
    super(new LocalBlobStore(root));
  }
}
