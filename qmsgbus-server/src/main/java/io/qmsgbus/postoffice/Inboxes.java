package io.qmsgbus.postoffice;

import java.security.SecureRandom;

/** Names for private inboxes: random, so nobody can guess another client's. */
final class Inboxes {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

  private Inboxes() {}

  /** 16 base-32 characters: 80 random bits. */
  static String randomName() {
    char[] c = new char[16];
    for (int i = 0; i < c.length; i++) {
      c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return new String(c);
  }
}
