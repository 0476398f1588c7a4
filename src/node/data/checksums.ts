// What is known in advance of the files in the data folder: each one's size and SHA-256, and
// where the checksum comes from. One table for `hcr data download` (which checks what it fetches
// against it) and `hcr data list --verify` (which checks what is there). Provenance of every
// entry: docs/DATA.md.

/** Where a known SHA-256 comes from. */
export type ChecksumOrigin =
  /** The publisher's own checksum (MNIST, EMNIST). */
  | 'official'
  /** Recorded when the file was converted for this project (docs/DATA.md). */
  | 'conversion'
  /** A third party's value that nobody has checked (e.g. a Git LFS pointer); a mismatch only warns. */
  | 'unverified';

/** What is known of a file in advance: its SHA-256 and size. */
export interface KnownFile {
  readonly sha256: string;
  readonly bytes: number;
  readonly origin: ChecksumOrigin;
}

const official = (bytes: number, sha256: string): KnownFile =>
  Object.freeze({ sha256, bytes, origin: 'official' });
const conversion = (bytes: number, sha256: string): KnownFile =>
  Object.freeze({ sha256, bytes, origin: 'conversion' });
const unverified = (bytes: number, sha256: string): KnownFile =>
  Object.freeze({ sha256, bytes, origin: 'unverified' });

/**
 * The SHA-256 and size of every data-folder file whose content is known in advance (relative
 * path → facts): the official MNIST and EMNIST files (what `hcr data download` fetches), the
 * Kaggle A-Z CSV (an unverified third-party value) and the project's conversions (UNIPEN,
 * Chars74K, EMNIST pieces) as docs/DATA.md records them. Generated files (`synth`) and the
 * Kaggle MNIST CSVs have none.
 *
 * @example
 * KNOWN_FILES['mnist/t10k-labels-idx1-ubyte.gz'].bytes; // 4542
 */
export const KNOWN_FILES: Readonly<Record<string, KnownFile>> = Object.freeze({
  // MNIST: the four official files, SHA-256 of the published gzip files.
  'mnist/train-images-idx3-ubyte.gz': official(
    9912422,
    '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
  ),
  'mnist/train-labels-idx1-ubyte.gz': official(
    28881,
    '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
  ),
  'mnist/t10k-images-idx3-ubyte.gz': official(
    1648877,
    '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
  ),
  'mnist/t10k-labels-idx1-ubyte.gz': official(
    4542,
    'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
  ),
  // EMNIST: members of NIST's gzip.zip (ByClass, Balanced), SHA-256 of the published files.
  'emnist/emnist-byclass-train-images-idx3-ubyte.gz': official(
    173367313,
    '9e21987f03a6eb8b870187e785883ddad96947299587908f1a7ec2ca0f4be5f0',
  ),
  'emnist/emnist-byclass-train-labels-idx1-ubyte.gz': official(
    491603,
    'f7ef403d48dc18a89dae0d83d11ee69cecb6e1c12c3a961d03712e495c02a8fa',
  ),
  'emnist/emnist-byclass-test-images-idx3-ubyte.gz': official(
    28908322,
    '5ec835bd5d5b1a66378a132e727fef20fe994b3cc666899befcca5ac766f50cd',
  ),
  'emnist/emnist-byclass-test-labels-idx1-ubyte.gz': official(
    81839,
    '501e305eeeacb093b162592d80e8a2632040872360fa6d85cfcb2200d91ca92a',
  ),
  'emnist/emnist-byclass-mapping.txt': official(
    447,
    '68fa9091ed325830418b5a8d732f32316e54a480b9f8994a161abb4eddd0d078',
  ),
  'emnist/emnist-balanced-train-images-idx3-ubyte.gz': official(
    28207740,
    '74295e75e4e9fa2c102147460ee7eb763653d5132d883a84fb88932bfb8d2db4',
  ),
  'emnist/emnist-balanced-train-labels-idx1-ubyte.gz': official(
    80618,
    'b46d41e5156a0a8aaaa4d18979fdd1588850fa8571018acffd5d93b325a7d6ed',
  ),
  'emnist/emnist-balanced-test-images-idx3-ubyte.gz': official(
    4714707,
    '117fc12b015e37ea98bfb2cbba3f77c3782c056cdbd219b87abfc8661d7135db',
  ),
  'emnist/emnist-balanced-test-labels-idx1-ubyte.gz': official(
    13504,
    'a67cac948379b67270b9a4d0a01c8ec661598accf2f2b1964340b7c83cb175cd',
  ),
  'emnist/emnist-balanced-mapping.txt': official(
    328,
    '956dc507bf69e9f31f4e3e876d22ec66124aa229b5d0bd65ab8956a8044d3ede',
  ),
  // The Kaggle A-Z CSV: from a third party's Git LFS pointer, never checked.
  'kaggle/A_Z Handwritten Data.csv': unverified(
    698907044,
    '75dc66675c0ec478b46d74769c6e5866d0568025fe20f5fffc46b3769b5b43dc',
  ),
  // The project's conversions (docs/DATA.md): UNIPEN, Chars74K, EMNIST pieces.
  'unipen/unipen-1b-uppercase-images-idx3-ubyte.gz': conversion(
    3763268,
    'a020aae13967622a70133c045a5ea5b4da4abb167fac284086c398ed06af54fd',
  ),
  'unipen/unipen-1b-uppercase-labels-idx1-ubyte.gz': conversion(
    8900,
    '385940e7fbc194ff53abf33aedb264f353cac71cb0fcf9be980d0ab8953f1090',
  ),
  'unipen/unipen-1b-uppercase-metadata.csv.gz': conversion(
    215797,
    'a1c82b661814c076fb33240d17678f7bf990702cb94b98af1735c2803883c732',
  ),
  'unipen/unipen-1c-lowercase-images-idx3-ubyte.gz': conversion(
    7646840,
    '4170ba7a3f9606480fa46456dcbabd26675297fc89fb605120065db70e68facc',
  ),
  'unipen/unipen-1c-lowercase-labels-idx1-ubyte.gz': conversion(
    16392,
    '89af795f8139a02d5ef2f97500e63c1720578b7a3f8343eb2aa5bdf46d11a761',
  ),
  'unipen/unipen-1c-lowercase-metadata.csv.gz': conversion(
    445130,
    'f6a02d07eed54075d27bc4fe52caa7a7c91be632ab6ded10e12467934ed443a4',
  ),
  'unipen/unipen-1a-digits-images-idx3-ubyte.gz': conversion(
    2051415,
    'a448fb7bc798e2b485be73bc4a9dc10525ebd77d1da37734d4a9269b5b3e5098',
  ),
  'unipen/unipen-1a-digits-labels-idx1-ubyte.gz': conversion(
    4888,
    '8c3702eb30d905b09bce9b5ee7b685a96e45254af35b2e98171af037ebbb0ab2',
  ),
  'unipen/unipen-1a-digits-metadata.csv.gz': conversion(
    113085,
    'f8c367cc5b2115c930a15e2fb096911c7f12929bde66a6bdf6b7e2e0151ef41d',
  ),
  'unipen/unipen-byclass-mapping.txt': conversion(
    447,
    '68fa9091ed325830418b5a8d732f32316e54a480b9f8994a161abb4eddd0d078',
  ),
  'chars74k-hnd/chars74k-hnd-images-idx3-ubyte.gz': conversion(
    399367,
    'b666fe1b9288eede9acf81f057a55fe269996e273d913da8e986b132a1661c0f',
  ),
  'chars74k-hnd/chars74k-hnd-labels-idx1-ubyte.gz': conversion(
    148,
    'c4cf337f645b10e46678a7e8de366efb5187a7d7e3c10413fd7748ee20b496e8',
  ),
  'chars74k-hnd/chars74k-hnd-byclass-mapping.txt': conversion(
    447,
    '68fa9091ed325830418b5a8d732f32316e54a480b9f8994a161abb4eddd0d078',
  ),
  'emnist-partial/emnist-letters-test-AtoS-images-idx3-ubyte.gz': conversion(
    3615826,
    '906b49ee09edbc1c33844a8a8225c464d8bc9594f791694f621f055046a1a0cc',
  ),
  'emnist-partial/emnist-letters-test-AtoS-labels-idx1-ubyte.gz': conversion(
    134,
    '699af7bde33946cc64196332e48b4fad216ff44583e4bce60529dbd375c1f097',
  ),
  'emnist-partial/emnist-letters-train-85264to88799-images-idx3-ubyte.gz': conversion(
    883777,
    '36f81e012eb024252bceb72f142eb32a619bbe60faf5dc3199740203ed633587',
  ),
  'emnist-partial/emnist-letters-train-85264to88799-labels-idx1-ubyte.gz': conversion(
    2276,
    '6f577916649532fe3fbc41d29701efd616b6e1100a07279065dae57d93b5a011',
  ),
  'emnist-partial/emnist-balanced-train-103680to112799-images-idx3-ubyte.gz': conversion(
    2290494,
    'c56de5b132cfcb9a38c2b0df06caddcdbc4d1f6c55f3804e6097c91dbf72ed3d',
  ),
  'emnist-partial/emnist-balanced-train-103680to112799-labels-idx1-ubyte.gz': conversion(
    6585,
    '20693a1241c79f06eee1075dd6ef38cbe842f44fe860ffb446b5ee24d966742f',
  ),
  'emnist-partial/emnist-balanced-test-18496to18799-images-idx3-ubyte.gz': conversion(
    77998,
    'e265d47b32193ae738878d98696530eecab606e58bebdfdc2bd73e414f63cd58',
  ),
  'emnist-partial/emnist-balanced-test-18496to18799-labels-idx1-ubyte.gz': conversion(
    312,
    'a9dc8a4b59f1b582a8e3a410674d7041be8a9f4e00b1ac1d0879e77f38577e0f',
  ),
  'emnist-partial/emnist-letters-mapping.txt': conversion(
    274,
    'a56cb9a31c08e3251a61ea7b1ec8bc4f4cabdc1edf3128508d3a485ad53fa456',
  ),
  'emnist-partial/emnist-balanced-mapping.txt': conversion(
    328,
    '956dc507bf69e9f31f4e3e876d22ec66124aa229b5d0bd65ab8956a8044d3ede',
  ),
  'emnist-partial/emnist-partial-overlap-with-byclass-test.csv': conversion(
    171437,
    'bd5794b155d4dfff6517c51dc4096e7b5ee6748ac6eae898294ac22c39e10111',
  ),
});

/**
 * The known facts of one data-folder file, for the tables built from this one.
 *
 * @throws Error when the path is not in {@link KNOWN_FILES} (a mistake in hcr's own tables)
 * @example
 * knownFile('mnist/t10k-labels-idx1-ubyte.gz').sha256; // 'f7ae60f9...'
 */
export function knownFile(path: string): KnownFile {
  const known = KNOWN_FILES[path];
  if (known === undefined) throw new Error(`${path}: no SHA-256 known for it in checksums.ts`);
  return known;
}
