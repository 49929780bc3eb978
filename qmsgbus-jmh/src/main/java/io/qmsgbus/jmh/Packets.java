package io.qmsgbus.jmh;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Packets of a given size, shaped like the bench's. */
final class Packets {

  private Packets() {}

  /** {@code {"skill":"S","t":100000000000000000,"p":"xxx"}} padded to {@code size} bytes. */
  static byte[] data(String skill, int size) {
    String head = "{\"skill\":\"" + skill + "\",\"t\":123456789012345678,\"p\":\"";
    return pad(head, "\"}", size);
  }

  /** The same with the skill after the payload. */
  static byte[] dataSkillLast(String skill, int size) {
    String tail = "\",\"skill\":\"" + skill + "\"}";
    return pad("{\"p\":\"", tail, size);
  }

  private static byte[] pad(String head, String tail, int size) {
    int n = Math.max(0, size - head.length() - tail.length());
    char[] x = new char[n];
    Arrays.fill(x, 'x');
    return (head + new String(x) + tail).getBytes(StandardCharsets.UTF_8);
  }
}
