/** See module documentation. */
package io.jiip.link;
