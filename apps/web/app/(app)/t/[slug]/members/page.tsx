'use client';

import { MembersView } from '@/components/members/members-view';

export default function MembersPage() {
  return <MembersView />;
}
