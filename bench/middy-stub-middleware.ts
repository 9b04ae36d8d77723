/** Measurement only: an @middy/http-* middleware as a no-op (see bench/middy-stub.ts). */
export default function middleware() {
  return {};
}
