package io.qmsgbus.store;

import io.netty.buffer.ByteBuf;

public record StoredMessage(long key, String skill, ByteBuf payload) {}
