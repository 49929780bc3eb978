package io.qmsgbus.store;

import java.util.List;

public record RecoveredSession(StoredSession session, List<StoredMessage> queue) {}
