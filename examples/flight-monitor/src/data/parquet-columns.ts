/**
 * A column decoder for flat, non-null Parquet columns that keeps values as typed arrays. It
 * reads pages with hyparquet's page functions but skips its row assembly, which boxes every
 * value and is most of the cost of `parquetReadObjects` on this file (about 3x slower).
 */

import { StarweaveError } from '@starweave/actors';
import type { ColumnChunk, Compressors, DecodedArray, FileMetaData, SchemaTree } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { readPlain } from 'hyparquet/src/plain.js';
import {
  getMaxDefinitionLevel,
  getMaxRepetitionLevel,
  getSchemaPath,
} from 'hyparquet/src/schema.js';
import { readVarInt } from 'hyparquet/src/thrift.js';

type ColumnDecoder = Parameters<typeof readDataPage>[2];

/**
 * One column chunk, decoded: a dictionary of distinct values and, per row, the index of its
 * value. A chunk without a dictionary gets one built from its plain values.
 */
export interface DictionaryColumn<T> {
  readonly dictionary: ArrayLike<T>;
  readonly indices: Uint32Array;
}

const utf8 = new TextDecoder();

/**
 * Decodes one column chunk of `rows` rows. `convert` turns each raw dictionary (or plain) value
 * into the value the caller keeps; it runs once per distinct value of a dictionary page.
 */
export function readDictionaryColumn<T>(
  file: ArrayBuffer,
  metadata: FileMetaData,
  chunk: ColumnChunk,
  rows: number,
  compressors: Compressors,
  convert: (raw: unknown) => T,
): DictionaryColumn<T> {
  const meta = chunk.meta_data;
  if (meta === undefined) {
    throw new StarweaveError('ERR_DECODE', 'invalid Parquet file: a column chunk has no metadata.');
  }
  const name = meta.path_in_schema.join('.');
  const schemaPath: SchemaTree[] = getSchemaPath(metadata.schema, meta.path_in_schema);
  const element = schemaPath[schemaPath.length - 1]!.element;
  const decoder: ColumnDecoder = {
    pathInSchema: meta.path_in_schema,
    type: meta.type,
    element,
    schemaPath,
    codec: meta.codec,
    compressors,
    parsers: {} as ColumnDecoder['parsers'],
  };

  const maxDefinition = getMaxDefinitionLevel(schemaPath);
  const flat = getMaxRepetitionLevel(schemaPath) === 0;

  const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
  const view = new DataView(file, start, Number(meta.total_compressed_size));
  const reader = { view, offset: 0 };
  const indices = new Uint32Array(rows);
  let dictionary: T[] | undefined;
  let filled = 0;

  while (filled < rows) {
    if (reader.offset >= view.byteLength) {
      throw new StarweaveError(
        'ERR_DECODE',
        `invalid Parquet column ${name}: expected ${rows} values, found ${filled}.`,
      );
    }
    const header = parquetHeader(reader);
    const compressed = new Uint8Array(file, start + reader.offset, header.compressed_page_size);
    reader.offset += header.compressed_page_size;

    if (header.type === 'DICTIONARY_PAGE') {
      const page = decompressPage(
        compressed,
        header.uncompressed_page_size,
        meta.codec,
        compressors,
      );
      const pageReader = {
        view: new DataView(page.buffer, page.byteOffset, page.byteLength),
        offset: 0,
      };
      const count = header.dictionary_page_header!.num_values;
      const raw = readPlain(pageReader, meta.type, count, element.type_length);
      dictionary = Array.from(raw as ArrayLike<unknown>, convert);
      continue;
    }
    if (header.type !== 'DATA_PAGE' && header.type !== 'DATA_PAGE_V2') continue;

    if (
      header.type === 'DATA_PAGE' &&
      flat &&
      dictionary !== undefined &&
      isDictionaryEncoding(header.data_page_header!.encoding)
    ) {
      const count = header.data_page_header!.num_values;
      const page = decompressPage(
        compressed,
        header.uncompressed_page_size,
        meta.codec,
        compressors,
      );
      const target = indices.subarray(filled, Math.min(rows, filled + count));
      if (target.length === count && readIndicesWithoutNulls(page, maxDefinition, target)) {
        filled += count;
        continue;
      }
    }

    const decoded =
      header.type === 'DATA_PAGE'
        ? readDataPage(
            decompressPage(compressed, header.uncompressed_page_size, meta.codec, compressors),
            header.data_page_header!,
            decoder,
          )
        : readDataPageV2(compressed, header, decoder);
    const encoding = header.data_page_header?.encoding ?? header.data_page_header_v2!.encoding;
    if ((decoded.definitionLevels?.length ?? 0) > 0) {
      throw new StarweaveError(
        'ERR_DECODE',
        `invalid Parquet column ${name}: it has null values, and the flight monitor needs every field.`,
      );
    }
    const values: DecodedArray = decoded.dataPage;
    const count = Math.min(values.length, rows - filled);
    if (isDictionaryEncoding(encoding)) {
      if (dictionary === undefined) {
        throw new StarweaveError(
          'ERR_DECODE',
          `invalid Parquet column ${name}: a dictionary page is missing.`,
        );
      }
      for (let i = 0; i < count; i++) indices[filled + i] = values[i] as number;
    } else {
      // A plain page (a writer falls back to it when the dictionary grows too large): its
      // values join the dictionary, one entry per row.
      dictionary ??= [];
      for (let i = 0; i < count; i++) {
        indices[filled + i] = dictionary.length;
        dictionary.push(convert(values[i]));
      }
    }
    filled += count;
  }
  return { dictionary: dictionary ?? [], indices };
}

function isDictionaryEncoding(encoding: string): boolean {
  return encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY';
}

/**
 * Decodes the dictionary indices of a version 1 data page of a flat column straight into
 * `output` when no value is null. The definition levels are then runs of the maximum level
 * only, so they are checked and skipped without being expanded. Returns false, having written
 * nothing reliable, when the levels are bit-packed or hold a lower level; the caller then
 * decodes the page the general way.
 */
function readIndicesWithoutNulls(page: Uint8Array, maxDefinition: number, output: Uint32Array) {
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  const reader = { view, offset: 0 };
  if (maxDefinition > 0) {
    const levelsEnd = 4 + view.getUint32(0, true);
    reader.offset = 4;
    const levelBytes = (32 - Math.clz32(maxDefinition) + 7) >> 3;
    let seen = 0;
    while (seen < output.length) {
      const runHeader = readVarInt(reader);
      if ((runHeader & 1) === 1) return false;
      let level = 0;
      for (let k = 0; k < levelBytes; k++) level |= view.getUint8(reader.offset++) << (k * 8);
      if (level !== maxDefinition) return false;
      seen += runHeader >>> 1;
    }
    reader.offset = levelsEnd;
  }
  const bitWidth = view.getUint8(reader.offset++);
  if (bitWidth === 0) {
    output.fill(0);
    return true;
  }
  readRleBitPackedHybrid(reader, bitWidth, output, view.byteLength - reader.offset);
  return true;
}

/** Converts a raw INT64 value to a number (exact up to 2^53). */
export function int64ToNumber(raw: unknown): number {
  return Number(raw as bigint);
}

/** Converts a raw BYTE_ARRAY value to a string. */
export function bytesToString(raw: unknown): string {
  return typeof raw === 'string' ? raw : utf8.decode(raw as Uint8Array);
}
