package io.jiip.api;

/** Congestion control of a TCP connection ({@code TcpConfig.congestionControl}, {@code Stack.tcpCongestionControl}). */
public enum CongestionAlgorithm {
    /** RFC 5681 with NewReno fast recovery (RFC 6582) when SACK is off. */
    NEW_RENO,
    /** RFC 9438, the default (as in Linux). */
    CUBIC
}
