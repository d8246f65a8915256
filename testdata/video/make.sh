#!/bin/sh
# Regenerates the MP4 fixtures of FramesImporterTest with ffmpeg (Debian's ffmpeg 5.1, libx264 with
# its default High profile, so the streams have B-frames and decoding order differs from display
# order). Each frame: a dark 64 x 48 background (luma 32) with a bright 16 x 16 square (luma 240)
# on rows 16..31 whose left edge is at column 8 + 2 * frame. Not run by the build.
set -e
cd "$(dirname "$0")"
square() { # frames output
  ffmpeg -loglevel error -y -f lavfi -i "color=c=0x202020:s=64x48:r=10" \
    -vf "geq=lum='if(between(Y,16,31)*between(X,8+2*N,23+2*N),240,32)':cb=128:cr=128" \
    -frames:v "$1" -c:v libx264 -pix_fmt yuv420p "$2"
}
square 12 clip_2.mp4
square 5 clip_10.mp4
square 3 video_10007.mp4
# damaged-decoder-loops.mp4 is not made here: it is case 1138 of ImporterFuzzTest's mutation of
# clip_10.mp4 (seed 33), on which JCodec 0.2.5's H.264 decoder loops forever.
