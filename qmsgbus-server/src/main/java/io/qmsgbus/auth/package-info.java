/**
 * Security: who a client is ({@link io.qmsgbus.auth.Identity}), what it may do ({@link
 * io.qmsgbus.auth.SkillPatterns}, {@link io.qmsgbus.auth.SkillAccess}), how that is established at
 * the WebSocket upgrade ({@link io.qmsgbus.auth.AuthHandler}: JWT bearer tokens, a bcrypt users
 * file for HTTP Basic, allowed origins and hosts). The TLS context is the transport's ({@code
 * io.qmsgbus.transport.TlsSetup}).
 *
 * <p>With no authentication configured none of this is in the pipeline: no handler, no channel
 * attribute, no per-packet check.
 */
package io.qmsgbus.auth;
