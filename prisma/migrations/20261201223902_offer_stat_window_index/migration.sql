-- CreateIndex
CREATE INDEX "OfferStat_windowStart_idx" ON "OfferStat"("windowStart");
