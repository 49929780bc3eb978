package io.qmsgbus.auth;

/** What one connection may publish to and register for. */
public interface Permissions {

  /** Everything: the server has no authentication. */
  Permissions ALL =
      new Permissions() {
        @Override
        public boolean mayPublish(String skill) {
          return true;
        }

        @Override
        public boolean mayRegister(String skill) {
          return true;
        }

        @Override
        public String who() {
          return "-";
        }
      };

  boolean mayPublish(String skill);

  boolean mayRegister(String skill);

  /** The identity's name, for logs ("-" without authentication). */
  String who();

  /** The permissions of {@code identity}, or {@link #ALL} when it is null (no authentication). */
  static Permissions of(Identity identity) {
    return identity == null ? ALL : new SkillAccess(identity);
  }
}
