package io.qmsgbus.message;

/** Counts the bytes of messages alive in the server; told once per message, not per receiver. */
public interface ByteAccount {

  /** Nothing is counted (for tests and tools). */
  ByteAccount NONE =
      new ByteAccount() {
        @Override
        public void held(int bytes) {}

        @Override
        public void freed(int bytes) {}
      };

  /** A message of {@code bytes} was made. */
  void held(int bytes);

  /** A message of {@code bytes} lost its last reference. May be called from any thread. */
  void freed(int bytes);
}
