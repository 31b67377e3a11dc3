-- Revocable offers counted apart from firm ones. Windows written before this counted
-- both in the firm figures, and are left as they were: they cannot be told apart.
-- AlterTable
ALTER TABLE "OfferStat" ADD COLUMN     "acceptedRevocableCpus" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "acceptedRevocableMemMb" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "declinedRevocableCpus" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "declinedRevocableMemMb" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "offeredRevocableCpus" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "offeredRevocableMemMb" DOUBLE PRECISION NOT NULL DEFAULT 0;
