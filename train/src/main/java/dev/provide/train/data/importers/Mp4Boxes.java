package dev.provide.train.data.importers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * Checks the box structure of an MP4 / QuickTime file (ISO/IEC 14496-12: each box a 32-bit size,
 * a four-character type, an optional 64-bit size) before a decoder sees it: every box at least its
 * header long and inside its parent, every container's children filling it exactly. JCodec trusts
 * these sizes; a damaged file made it loop on a zero-sized child box until the heap was full
 * (found by ImporterFuzzTest). A file that passes has a sound box tree; its contents are the
 * decoder's to check.
 */
final class Mp4Boxes {
  /** Boxes that hold only other boxes, the ones a demuxer walks into. */
  private static final Set<String> CONTAINERS =
      Set.of("moov", "trak", "mdia", "minf", "stbl", "dinf", "edts", "udta", "mvex", "moof", "traf", "mfra", "tref", "wave",
          "ilst", "gmhd", "tapt");

  /** Boxes with a version and flags (4 bytes) before their children. */
  private static final Set<String> FULL_CONTAINERS = Set.of("meta");

  /**
   * Sample entries that a demuxer reads as video: 78 bytes of fields after the box header, then
   * extension boxes (avcC and the like).
   */
  private static final Set<String> VIDEO_ENTRIES =
      Set.of("avc1", "avc3", "hvc1", "hev1", "mp4v", "jpeg", "mjpa", "mjpb", "mjp2", "apch", "apcn", "apco", "apcs", "ap4h",
          "cvid", "dv5n", "dvcp", "h263", "s263", "kpcd", "m1v1", "m2v1", "rpza", "tiff", "v210", "v216", "v308", "v408", "v410",
          "xd5b", "yuv2", "2vuy", "raw ", "encv");

  /** Sample entries read as audio: 28 bytes of fields (44 in version 1, 64 in version 2), then extension boxes. */
  private static final Set<String> AUDIO_ENTRIES =
      Set.of("mp4a", "aace", "aacf", "aach", "aacl", "aacp", "aacs", "aes3", "alac", "alaw", "celp", "fl32", "fl64", "hvxc",
          "ilbc", "ima4", "in24", "in32", "lpcm", "samr", "sowt", "twos", "twvq", "ulaw", "dvca", "enca", "ac-3", "ec-3");

  /**
   * Sample tables: full boxes (version and flags) with a 32-bit entry count and entries of the given
   * size. A demuxer allocates the table from the count, so the count must fit the box.
   */
  private static final java.util.Map<String, Integer> TABLES =
      java.util.Map.of("stco", 4, "co64", 8, "stss", 4, "stps", 4, "stts", 8, "ctts", 8, "stsc", 12);

  /** Deeper than any real file nests its containers. */
  private static final int MAX_DEPTH = 16;

  private Mp4Boxes() {}

  /**
   * Walks the box tree of {@code file}.
   *
   * @throws IOException naming the file and the offset of the first box that does not fit
   */
  static void check(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw new IOException(file + " is " + size + " bytes long, too short for an MP4 file");
      }
      walk(file, ch, 0, size, 0, true);
    }
  }

  private static void walk(Path file, FileChannel ch, long from, long to, int depth, boolean top) throws IOException {
    if (depth > MAX_DEPTH) {
      throw new IOException(file + ": MP4 boxes nested more than " + MAX_DEPTH + " deep at offset " + from + " (a damaged file)");
    }
    ByteBuffer header = ByteBuffer.allocate(16);
    long at = from;
    while (at < to) {
      if (to - at >= 4) {
        header.clear().limit(4);
        read(ch, header, at);
        if (header.getInt(0) == 0 && !top) {
          at += 4; // zero padding between or after boxes (QuickTime ends udta so), skipped as demuxers do
          continue;
        }
      }
      if (to - at < 8) {
        throw new IOException(file + ": " + (to - at) + " stray bytes at offset " + at + ", too few for an MP4 box header (a damaged file)");
      }
      header.clear().limit(8);
      read(ch, header, at);
      long size = Integer.toUnsignedLong(header.getInt(0));
      String type = new String(header.array(), 4, 4, StandardCharsets.ISO_8859_1);
      int headerSize = 8;
      if (size == 1) {
        if (to - at < 16) {
          throw damaged(file, type, at, "its 64-bit size does not fit");
        }
        header.clear().limit(8);
        read(ch, header, at + 8);
        size = header.getLong(0);
        headerSize = 16;
      } else if (size == 0) {
        if (!top) {
          throw damaged(file, type, at, "size 0 (to the end of the file) inside another box");
        }
        size = to - at;
      }
      if (size < headerSize || size > to - at) {
        throw damaged(file, type, at, "size " + size + " where " + headerSize + ".." + (to - at) + " bytes are left");
      }
      long body = at + headerSize, end = at + size;
      if (CONTAINERS.contains(type)) {
        walk(file, ch, body, end, depth + 1, false);
      } else if (FULL_CONTAINERS.contains(type)) {
        walkFrom(file, ch, body + 4, end, depth, type, at);
      } else if (TABLES.containsKey(type)) {
        checkTable(file, ch, type, at, body, end, 0, TABLES.get(type));
      } else if (type.equals("elst")) {
        checkTable(file, ch, type, at, body, end, 0, version(ch, body, end) == 1 ? 20 : 12);
      } else if (type.equals("stsz")) {
        checkSampleSizes(file, ch, at, body, end);
      } else if (type.equals("stsd") || type.equals("dref")) {
        walkFrom(file, ch, body + 8, end, depth, type, at); // version, flags and the entry count
      } else if (VIDEO_ENTRIES.contains(type)) {
        walkFrom(file, ch, body + 78, end, depth, type, at);
      } else if (AUDIO_ENTRIES.contains(type)) {
        walkFrom(file, ch, body + audioFields(ch, body, end), end, depth, type, at);
      }
      at = end;
    }
  }

  /** Walks the children of a box that start {@code from}, after its own fields; a box too short for its fields is damaged. */
  private static void walkFrom(Path file, FileChannel ch, long from, long to, int depth, String type, long at) throws IOException {
    if (from > to) {
      throw damaged(file, type, at, "a body too short for its own fields");
    }
    walk(file, ch, from, to, depth + 1, false);
  }

  /**
   * Checks that a table's entries fit its box: {@code count} at {@code body + 4 + skip}, then
   * count entries of {@code entrySize} bytes.
   */
  private static void checkTable(Path file, FileChannel ch, String type, long at, long body, long end, int skip, int entrySize)
      throws IOException {
    long countAt = body + 4 + skip;
    if (countAt + 4 > end) {
      throw damaged(file, type, at, "no room for its entry count");
    }
    long count = uint32(ch, countAt);
    long room = end - countAt - 4;
    if (count * entrySize > room) {
      throw damaged(file, type, at, "an entry count of " + count + " (" + entrySize + " bytes each) in " + room + " bytes");
    }
  }

  /** stsz: a default sample size, then a count; the table is there only when the default size is 0. */
  private static void checkSampleSizes(Path file, FileChannel ch, long at, long body, long end) throws IOException {
    if (body + 12 > end) {
      throw damaged(file, "stsz", at, "no room for its sample size and count");
    }
    if (uint32(ch, body + 4) == 0) {
      checkTable(file, ch, "stsz", at, body, end, 4, 4);
    } else if (uint32(ch, body + 8) > ch.size()) {
      // every sample takes at least a byte of the file
      throw damaged(file, "stsz", at, "a sample count of " + uint32(ch, body + 8) + " in a file of " + ch.size() + " bytes");
    }
  }

  private static int version(FileChannel ch, long body, long end) throws IOException {
    if (body >= end) {
      return 0;
    }
    ByteBuffer b = ByteBuffer.allocate(1);
    read(ch, b, body);
    return b.get(0);
  }

  private static long uint32(FileChannel ch, long position) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4);
    read(ch, b, position);
    return Integer.toUnsignedLong(b.getInt(0));
  }

  /** The bytes of fields an audio sample entry has before its extension boxes, by its version. */
  private static long audioFields(FileChannel ch, long body, long end) throws IOException {
    if (end - body < 10) {
      return 28; // too short: walkFrom reports it
    }
    ByteBuffer version = ByteBuffer.allocate(2);
    read(ch, version, body + 8); // after 6 reserved bytes and the data reference index
    int v = version.getShort(0);
    return v == 1 ? 44 : v == 2 ? 64 : 28;
  }

  private static void read(FileChannel ch, ByteBuffer b, long position) throws IOException {
    while (b.hasRemaining()) {
      if (ch.read(b, position + b.position()) < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }

  private static IOException damaged(Path file, String type, long at, String why) {
    String printable = type.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? "'" + type + "'" : "a box";
    return new IOException(file + ": " + printable + " at offset " + at + " has " + why + " (a damaged MP4 file)");
  }
}
