package io.qmsgbus.store;

import java.util.List;

public record Recovery(
    List<RecoveredSession> sessions, long damagedRecords, List<String> problems) {}
