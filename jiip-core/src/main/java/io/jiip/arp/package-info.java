/** See module documentation. */
package io.jiip.arp;
