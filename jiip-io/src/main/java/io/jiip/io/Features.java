package io.jiip.io;

import io.jiip.api.NicFeatures;
import java.util.ArrayList;
import java.util.List;

/** Human-readable offload sets, for logs and the command line. */
public final class Features {
    private Features() {
    }

    /** E.g. {@code "tx-csum rx-csum sg (TAP: csum tso4 tso6)"}. */
    public static String describe(int nicFeatures, int tunOffloads) {
        List<String> s = new ArrayList<>();
        if ((nicFeatures & (NicFeatures.TCP_TX_CSUM | NicFeatures.UDP_TX_CSUM)) != 0) {
            s.add("tx-csum");
        }
        if ((nicFeatures & (NicFeatures.TCP_RX_CSUM | NicFeatures.UDP_RX_CSUM)) != 0) {
            s.add("rx-csum");
        }
        if ((nicFeatures & NicFeatures.TX_SCATTER_GATHER) != 0) {
            s.add("sg");
        }
        if ((nicFeatures & NicFeatures.TCP_TSO) != 0) {
            s.add("tso");
        }
        if ((nicFeatures & NicFeatures.LRO) != 0) {
            s.add("lro");
        }
        List<String> t = new ArrayList<>();
        if ((tunOffloads & TapDevice.TUN_F_CSUM) != 0) {
            t.add("csum");
        }
        if ((tunOffloads & TapDevice.TUN_F_TSO4) != 0) {
            t.add("tso4");
        }
        if ((tunOffloads & TapDevice.TUN_F_TSO6) != 0) {
            t.add("tso6");
        }
        return (s.isEmpty() ? "none" : String.join(" ", s)) + " (TUNSETOFFLOAD: "
                + (t.isEmpty() ? "none" : String.join(" ", t)) + ")";
    }
}
