package io.qmsgbus.message;

import io.netty.buffer.ByteBuf;
import io.netty.util.AbstractReferenceCounted;

/**
 * One data packet on its way through the bus: the exact bytes a client sent, with what the bus
 * knows of it (skill, id, where it came from, its place in its sender's stream). It flows post
 * office -> router -> session -> connection, and is what a store, a backplane or a receipt tracker
 * sees.
 *
 * <p>Reference-counted and shared: every receiver holds a reference to the same message, so one
 * packet is one buffer in memory whatever its fan-out. The bytes are read-only (read them by
 * absolute index or through a duplicate). The {@link ByteAccount} is told once when the message is
 * made and once when its last reference goes, so a global budget measures memory actually held, not
 * one count per receiver.
 */
public final class Message extends AbstractReferenceCounted {

  private final String skill;
  private final ByteBuf content;
  private final long origin;
  private final long sequence;
  private final String idJson;
  private final int size;
  private final ByteAccount account;
  private final Receipt receipt;

  /**
   * For a request routed across nodes: told how many other nodes and durable queues took it (-1 if
   * that is not known), so "no receivers" can be answered. Set before routing; null otherwise.
   */
  private java.util.function.IntConsumer remoteCount; // set before routing: seen by every receiver

  /** The publisher's delivery receipt, or null when it asked for none. Set before routing. */
  private DeliveryReceipt delivery; // set before routing: seen by every receiver

  /** The store's key for these bytes, 0 until first stored; touched only under the store's lock. */
  private long storeKey;

  private Message(
      String skill,
      ByteBuf content,
      long origin,
      long sequence,
      String idJson,
      ByteAccount a,
      Receipt receipt) {
    this.skill = skill;
    this.content = content;
    this.origin = origin;
    this.sequence = sequence;
    this.idJson = idJson;
    this.size = content.readableBytes();
    this.account = a;
    this.receipt = receipt;
  }

  /**
   * A message over {@code content}, taking over the reference passed in.
   *
   * @param origin the id of the connection that published it
   * @param sequence its number among that connection's data packets (from 1)
   * @param idJson its top-level {@code id} as JSON text, or null
   */
  public static Message of(
      String skill,
      ByteBuf content,
      long origin,
      long sequence,
      String idJson,
      ByteAccount account) {
    return of(skill, content, origin, sequence, idJson, account, null);
  }

  /**
   * A message whose publisher asked for a confirm: {@code receipt} hears from every durable
   * receiver (see {@link Receipt}).
   */
  public static Message of(
      String skill,
      ByteBuf content,
      long origin,
      long sequence,
      String idJson,
      ByteAccount account,
      Receipt receipt) {
    Message m = new Message(skill, content, origin, sequence, idJson, account, receipt);
    account.held(m.size);
    return m;
  }

  /** See {@link #remoteCount(java.util.function.IntConsumer)}; null when nobody asks. */
  public java.util.function.IntConsumer remoteCount() {
    return remoteCount;
  }

  /** Asks a router that shares packets with other nodes to tell {@code c} how many took it. */
  public void remoteCount(java.util.function.IntConsumer c) {
    this.remoteCount = c;
  }

  /** The delivery receipt receivers report to, or null. */
  public DeliveryReceipt delivery() {
    return delivery;
  }

  /** Asks every receiver to report this packet's fate to {@code r}. */
  public void delivery(DeliveryReceipt r) {
    this.delivery = r;
  }

  /** The publisher's confirm tracker, or null when it asked for none. */
  public Receipt receipt() {
    return receipt;
  }

  /** The store's key for this message, 0 if no store holds it. Call under the store's lock. */
  public long storeKey() {
    return storeKey;
  }

  /** Set once by the store that first writes these bytes, under its lock. */
  public void storeKey(long key) {
    this.storeKey = key;
  }

  public String skill() {
    return skill;
  }

  /** The packet's bytes (shared: never move its indices). */
  public ByteBuf content() {
    return content;
  }

  /** Bytes of the packet. */
  public int size() {
    return size;
  }

  public long origin() {
    return origin;
  }

  public long sequence() {
    return sequence;
  }

  /** The packet's top-level id as JSON text, or null. */
  public String idJson() {
    return idJson;
  }

  @Override
  public Message retain() {
    super.retain();
    return this;
  }

  @Override
  public Message retain(int increment) {
    super.retain(increment);
    return this;
  }

  @Override
  public Message touch(Object hint) {
    content.touch(hint);
    return this;
  }

  @Override
  protected void deallocate() {
    content.release();
    account.freed(size);
  }

  @Override
  public String toString() {
    return "Message[" + skill + ", " + size + " bytes, from " + origin + "#" + sequence + "]";
  }
}
