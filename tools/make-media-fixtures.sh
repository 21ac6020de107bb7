#!/usr/bin/env bash
# Encodes the media fixtures of the synthetic participants (test/helpers/synthetic/) ONCE; the results are
# committed under test/fixtures/media/, so tests and benchmarks never need ffmpeg. Run again only to change them.
# Needs Debian's ffmpeg (libvpx, libopus): apt-get install -y ffmpeg
set -euo pipefail
cd "$(dirname "$0")/../test/fixtures/media"

# 3 s of testsrc2 (moving colour bars, a counter and a sweeping pattern) at 15 fps, one key frame at the start
# (keyint = clip length: the clip loops, so every loop starts with a key frame), no alt-ref or look-ahead
# (a real-time encoder's stream, like a browser's), VP8 in IVF at three simulcast sizes, at the bitrates the browser
# client asks of its layers (src/client/media/simulcast.ts), so that downlinks measured with them are a browser's.
for layer in "320x180 80k low" "640x360 350k medium" "1280x720 1000k high"; do
  set -- $layer
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=$1:rate=15:duration=3" \
    -c:v libvpx -b:v "$2" -minrate "$2" -maxrate "$2" -g 45 -keyint_min 45 -auto-alt-ref 0 -lag-in-frames 0 \
    -deadline realtime -cpu-used 8 -error-resilient 1 -pix_fmt yuv420p "camera-$3.ivf"
done

# 3 s of a loud 220 Hz tone with a 3 Hz syllable-like swell (speech-like enough for voice activity detection),
# mono 48 kHz Opus in 20 ms frames, in Ogg.
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "aevalsrc=0.5*sin(2*PI*220*t)*(0.6+0.4*sin(2*PI*3*t)):s=48000:d=3" \
  -c:a libopus -b:a 32k -application voip -frame_duration 20 -ac 1 -ar 48000 voice.opus

# 0.2 s of digital silence, same settings: what a silent microphone sends.
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "anullsrc=r=48000:cl=mono:d=0.2" \
  -c:a libopus -b:a 32k -application voip -frame_duration 20 -ac 1 -ar 48000 silence.opus
