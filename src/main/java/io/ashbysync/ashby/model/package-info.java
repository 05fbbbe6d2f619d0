/**
 * Ashby's own shapes (ashby-api.md section 5), kept apart from mirror rows and outbound events. Unknown fields are
 * ignored, so new Ashby fields never break us; fields Ashby documents as required are marked so and a response
 * without them is a {@link io.ashbysync.ashby.AshbyException.MalformedResponse} naming the field.
 */
package io.ashbysync.ashby.model;
