// Entry point of the Function Compute bundle: the zlib.crc32 polyfill first (FC's Node 20.10), then
// the receiver exactly as `npm start` runs it (configuration from the environment). Imports run in
// this order.
import "./install-crc32";
import "../../receiver/main";
