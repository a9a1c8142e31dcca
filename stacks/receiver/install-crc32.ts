// Side effect only: installs the zlib.crc32 polyfill (see zlib-crc32.ts) before the receiver loads.
import { installCrc32Polyfill } from "./zlib-crc32";

installCrc32Polyfill();
