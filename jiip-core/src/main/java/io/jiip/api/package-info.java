/** See module documentation. */
package io.jiip.api;
